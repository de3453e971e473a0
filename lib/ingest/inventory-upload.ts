// An upload that is a module inventory rather than a log: the ingest job asks here first, when no format was chosen,
// and an inventory is read whole (bounded) and stored as one snapshot instead of being handed to the event readers.
import fs from "node:fs";
import { INVENTORY_LIMITS, InventoryError, parseInventory, sniffInventory, type ModuleInventory } from "../inventory/module-inventory";
import { decodeHead } from "./input/text";

/** How much of the file sniffing reads (as the event readers' sniffing). */
const HEAD_BYTES = 64 * 1024;

/**
 * The inventory in `file`, or null when the file is not one (then it is a log for the event readers). The host is
 * the upload's `host` field, else the JSON's PSComputerName; a file that names neither, or names another host than
 * the field, is refused. Throws InventoryError (naming `filename` and where) for an inventory that cannot be read.
 */
export function readInventoryUpload(file: string, filename: string, givenHost: string | null): { host: string; inventory: ModuleInventory } | null {
  const fd = fs.openSync(file, "r");
  let head: Buffer;
  try {
    head = Buffer.alloc(HEAD_BYTES);
    head = head.subarray(0, fs.readSync(fd, head, 0, HEAD_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
  const source = sniffInventory(decodeHead(head));
  if (!source) return null;
  const size = fs.statSync(file).size;
  if (size > INVENTORY_LIMITS.maxBytes) {
    throw new InventoryError(`${filename}: ${size.toLocaleString("en")} bytes is over the ${INVENTORY_LIMITS.maxBytes.toLocaleString("en")}-byte limit of a module inventory`);
  }
  // decodeHead: the BOM or UTF-16 zero bytes say the encoding (Windows PowerShell 5 writes UTF-16LE).
  const inventory = parseInventory(decodeHead(fs.readFileSync(file)), filename, source);
  if (givenHost && inventory.host && givenHost.toLowerCase() !== inventory.host.toLowerCase()) {
    throw new InventoryError(`${filename}: the upload names host '${givenHost}' but the file's PSComputerName is '${inventory.host}'`);
  }
  const host = givenHost ?? inventory.host;
  if (!host) throw new InventoryError(`${filename}: the inventory (${source}) names no host: upload it with the host field (host=NAME)`);
  return { host, inventory };
}
