-- Fluent Bit Lua filter (docs/shippers/fluent-bit.conf): turns a winevtlog record into the NXLog layout the IIS Module
-- Watch JSON reader knows. Field names are those Fluent Bit's in_winevtlog writes (plugins/in_winevtlog/pack.c).
local renamed = {
  ProviderName = "SourceName",
  Computer = "Hostname",
  EventRecordID = "RecordNumber",
}

function to_iiswatch(tag, timestamp, record)
  local out = {}
  for key, value in pairs(record) do
    if key == "StringInserts" then
      -- The event data, by position: keys "0", "1", ... which the dashboard names from its event catalogue.
      for i, insert in ipairs(value) do
        out[tostring(i - 1)] = insert
      end
    elseif key == "TimeCreated" then
      -- "2026-11-02 11:00:00 +0100" (local time and its offset) -> "2026-11-02T11:00:00+01:00"
      out.EventTime = string.gsub(value, "^(%d+%-%d+%-%d+) (%d+:%d+:%d+) ([+-]%d%d)(%d%d)$", "%1T%2%3:%4")
    elseif key ~= "ActivityID" and key ~= "RelatedActivityID" then
      out[renamed[key] or key] = value
    end
  end
  return 1, timestamp, out
end
