// The detection results page's URL state (every view is a URL): ESCU's drilldown "View the detection results for
// $dest$" between info_min_time and info_max_time, and the results of one upload.
import { z } from "zod";
import { urlText } from "../db/ids";
import { tableStateSchema } from "../url/table-state";

export const resultListParams = tableStateSchema({
  filters: {
    detection: urlText().max(100).optional().catch(undefined),
    dest: urlText().trim().max(255).optional().catch(undefined),
    earliest: z.coerce.date().optional().catch(undefined),
    latest: z.coerce.date().optional().catch(undefined),
    suppressed: z.enum(["show", "hide"]).catch("hide"),
    upload: z.uuid().optional().catch(undefined),
  },
  // In the order the detection searches produced them (no column to sort by), a hundred at a time as before.
  pageSize: 100,
});
export type ResultListParams = z.infer<typeof resultListParams>;
