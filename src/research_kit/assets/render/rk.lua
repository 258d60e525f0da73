-- research_kit Pandoc filter, used for every format (HTML, DOCX, Typst).
--
-- * Links to a host become their text: the intranet has no internet, and citeproc writes DOI/URL links.
-- * Typst: a table with many columns is set in a smaller size (never below 8 pt), and one with very many
--   columns on a landscape page, so that nothing runs past the margins.
-- * DOCX: a caption paragraph uses Word's "Caption" style (Pandoc already does so for table and figure
--   captions; the custom-style div of the renderer's title block and notices stay as they are).

local function is_external(target)
  return target:match("^%a[%w+.-]*://") ~= nil or target:match("^//") ~= nil
end

-- Chinese PDF: an apostrophe inside a Latin name ("Sant’Anna") would take the full-width glyph of the CJK
-- font; the straight apostrophe is narrow (the Typst template turns smart quotes off for Chinese).
local zh = false

function Meta(meta)
  zh = meta.lang ~= nil and pandoc.utils.stringify(meta.lang):match("^zh") ~= nil
  return nil
end

function Str(el)
  if zh and FORMAT:match("typst") and el.text:find("’", 1, true) then
    local text = el.text:gsub("(%w)’(%w)", "%1'%2")
    return pandoc.Str(text)
  end
  return nil
end

function Link(el)
  if is_external(el.target) then
    return el.content
  end
  return nil
end

local function columns(tbl)
  return #tbl.colspecs
end

-- Width of the widest row in characters, counting CJK characters twice.
local function table_width(tbl)
  local widest = 0
  local function row_width(row)
    local w = 0
    for _, cell in ipairs(row.cells) do
      local s = pandoc.utils.stringify(cell.contents)
      local n = 0
      for _, cp in utf8.codes(s) do
        local wide = (cp >= 0x2E80 and cp <= 0x9FFF) or (cp >= 0xFF00 and cp <= 0xFFEF)
        n = n + (wide and 2 or 1)
      end
      w = w + n + 2
    end
    if w > widest then widest = w end
  end
  for _, row in ipairs(tbl.head.rows) do row_width(row) end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do row_width(row) end
  end
  return widest
end

function Table(tbl)
  if not FORMAT:match("typst") then
    return nil
  end
  local ncol, width = columns(tbl), table_width(tbl)
  -- A4 portrait text block: ~95 characters at 9 pt; landscape: ~145 at 8.5 pt.
  if ncol >= 10 or width > 150 then
    return {pandoc.RawBlock("typst", "#page(flipped: true)[\n#set text(size: 8pt)"), tbl,
            pandoc.RawBlock("typst", "]")}
  elseif ncol >= 7 or width > 95 then
    return {pandoc.RawBlock("typst", "#[\n#set text(size: 8pt)"), tbl, pandoc.RawBlock("typst", "]")}
  end
  return nil
end

-- Meta first, so that Str knows the language.
return {{Meta = Meta}, {Str = Str, Link = Link, Table = Table}}
