import { writeFleetLog } from "../tests/faults/fixtures";
await writeFleetLog(process.argv[2], { count: Number(process.argv[3]), firstRecord: Number(process.argv[4] ?? 1) });
process.exit(0);
