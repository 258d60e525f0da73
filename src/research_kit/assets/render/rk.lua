-- research_kit Pandoc filter, used for every format (HTML, DOCX, Typst).
--
-- * Links to a host become their text: the intranet has no internet, and citeproc writes DOI/URL links.
-- * Typst: column widths follow the content; a wide table is set in a smaller size (never below 8 pt), and
--   one whose columns cannot wrap narrow enough goes on a landscape page, so that nothing runs past the margins.
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

-- Display width of a string: CJK characters count twice.
local function text_width(s)
  local n = 0
  for _, cp in utf8.codes(s) do
    local wide = (cp >= 0x2E80 and cp <= 0x9FFF) or (cp >= 0xFF00 and cp <= 0xFFEF)
    n = n + (wide and 2 or 1)
  end
  return n
end

-- Narrowest width a cell can wrap to: its longest run that cannot break (a number, a Latin word); Chinese
-- breaks between any two characters, but a column narrower than two characters is unreadable.
local function min_width(s)
  local widest = 0
  -- Typst also breaks after a dash or slash ("Callaway–Sant'Anna", "RMB/FX")
  for word in s:gsub("([%-/])", "%1 "):gsub("\u{2013}", "\u{2013} "):gmatch("%S+") do
    local run, w = 0, 0
    for _, cp in utf8.codes(word) do
      if (cp >= 0x2E80 and cp <= 0x9FFF) or (cp >= 0xFF00 and cp <= 0xFFEF) then
        run = 0
        if w < 4 then w = 4 end
      else
        run = run + 1
        if run > w then w = run end
      end
    end
    if w > widest then widest = w end
  end
  return widest
end

-- Per column: the widest cell (natural width) and the narrowest it can wrap to.
local function column_widths(tbl)
  local nat, least = {}, {}
  for i = 1, #tbl.colspecs do nat[i], least[i] = 1, 1 end
  local function visit(row, header)
    local col = 1
    for _, cell in ipairs(row.cells) do
      local s = pandoc.utils.stringify(cell.contents)
      local span = cell.col_span or 1
      if span == 1 and nat[col] then
        -- a header wraps over two lines before it widens its column
        local w = text_width(s)
        local m = min_width(s)
        if header then  -- a header wraps over two lines before it widens its column; bold Latin is wider
          w = math.max(math.ceil(w / 2), math.min(w, 4))
          m = math.ceil(m * 1.15)
        end
        if w > nat[col] then nat[col] = w end
        if m > least[col] then least[col] = m end
      end
      col = col + span
    end
  end
  for _, row in ipairs(tbl.head.rows) do visit(row, true) end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do visit(row, false) end
  end
  for i = 1, #nat do nat[i] = math.max(nat[i], least[i]) end  -- a header's long word does not wrap
  return nat, least
end

-- A4 portrait text block (16.6 cm, 470 pt): about 100 width units at 9 pt, 112 at 8 pt (a unit is half a CJK
-- character: 4.5 pt at 9 pt); landscape (25.3 cm) holds about 170 at 8 pt. Each cell adds 3 units of padding
-- (its inset and some slack).
local PORTRAIT_9PT, PORTRAIT_8PT, LANDSCAPE_8PT, PAD = 100, 112, 170, 3
-- Columns up to this natural width are "short" (numbers, status words): they are never wrapped.
local SHORT = 12

function Table(tbl)
  if not FORMAT:match("typst") then
    return nil
  end
  local nat, least = column_widths(tbl)
  local ncol = #tbl.colspecs
  local natural = 0
  for i = 1, ncol do natural = natural + nat[i] + PAD end
  if natural <= PORTRAIT_9PT then
    -- fits: Typst's automatic widths (as narrow as the content); Pandoc's widths from the dashes of the
    -- Markdown separator line would make every column equally wide
    for i = 1, ncol do tbl.colspecs[i] = {tbl.colspecs[i][1], pandoc.ColWidthDefault} end
    return tbl
  end
  -- Too wide: 8 pt and the full text width. Short columns (numbers, status words) keep their natural width;
  -- long text columns share the rest in proportion to their content (capped at 40 units), each at least
  -- 12 units or its longest word. When even that does not fit, the table goes on a landscape page.
  local short, flex_min, flex_share = 0, 0, 0
  local minimum, share = {}, {}
  for i = 1, ncol do
    if nat[i] <= SHORT then
      short = short + nat[i] + PAD
    else
      minimum[i] = math.max(least[i], math.min(nat[i], 12)) + PAD
      share[i] = math.min(nat[i], 40) + PAD
      flex_min, flex_share = flex_min + minimum[i], flex_share + share[i]
    end
  end
  local landscape = short + flex_min > PORTRAIT_8PT
  local budget = landscape and LANDSCAPE_8PT or PORTRAIT_8PT
  local rest = budget - short
  local widths, total = {}, 0
  for i = 1, ncol do
    if share[i] then
      widths[i] = math.max(minimum[i], rest * share[i] / flex_share)
    else
      widths[i] = nat[i] + PAD
    end
    total = total + widths[i]
  end
  for i = 1, ncol do
    tbl.colspecs[i] = {tbl.colspecs[i][1], widths[i] / math.max(total, budget)}
  end
  -- the template sets tables in 9 pt with a show rule: only a later show rule sets them smaller
  if landscape then
    return {pandoc.RawBlock("typst", "#page(flipped: true)[\n#show table: set text(size: 8pt)"), tbl,
            pandoc.RawBlock("typst", "]")}
  end
  return {pandoc.RawBlock("typst", "#[\n#show table: set text(size: 8pt)"), tbl, pandoc.RawBlock("typst", "]")}
end

-- A heading right before a landscape table would stay alone at the foot of the previous page: it moves onto
-- the landscape page, above its table.
local function is_landscape_start(block)
  return block ~= nil and block.t == "RawBlock" and block.format == "typst" and block.text:match("^#page%(flipped") ~= nil
end

function Blocks(blocks)
  if not FORMAT:match("typst") then
    return nil
  end
  local i = 1
  while i < #blocks do
    if blocks[i].t == "Header" and is_landscape_start(blocks[i + 1]) then
      blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
      i = i + 2
    else
      i = i + 1
    end
  end
  return blocks
end

-- Meta first, so that Str knows the language; Blocks after Table (typewise: block elements, then lists).
return {{Meta = Meta}, {Str = Str, Link = Link, Table = Table}, {Blocks = Blocks}}
