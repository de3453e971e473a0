// Which reverse proxies may speak for the client (IISWATCH_TRUSTED_PROXIES): a comma-separated list of addresses
// and CIDR ranges, empty by default. X-Forwarded-For, -Host and -Proto are honoured only when the connection
// comes from one of them; from anyone else they are whatever the client chose to send.
import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * An address as written in a socket or an X-Forwarded-For entry, reduced to the bare IP: IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`) becomes IPv4, a port (`10.0.0.1:5000`, `[::1]:80`) and an IPv6 zone are dropped, case is
 * lowered. Anything that is not an IP address (`unknown`, an obfuscated `_hidden` token) gives null.
 */
export function normalizeAddress(raw: string | null | undefined): string | null {
  let value = raw?.trim();
  if (!value) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  value = value.replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/.exec(value);
  if (mapped) value = mapped[1];
  return isIPv4(value) || isIPv6(value) ? value : null;
}

export interface TrustedProxies {
  /** The list as configured (for messages). */
  entries: string[];
  has(address: string | null | undefined): boolean;
}

/** Parses a list such as `10.0.0.5, 192.168.0.0/16, ::1`; an entry that is not an address or range throws. */
export function parseTrustedProxies(spec: string | undefined): TrustedProxies {
  const entries = (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const list = new BlockList();
  for (const entry of entries) {
    const [ip, bits, extra] = entry.split("/");
    const address = normalizeAddress(ip);
    const family = address && isIPv4(address) ? "ipv4" : "ipv6";
    const prefix = bits === undefined ? null : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!address || extra !== undefined || (prefix !== null && !(prefix >= 0 && prefix <= (family === "ipv4" ? 32 : 128)))) {
      throw new Error(`IISWATCH_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)`);
    }
    if (prefix === null) list.addAddress(address, family);
    else list.addSubnet(address, prefix, family);
  }
  return {
    entries,
    has(raw) {
      const address = normalizeAddress(raw);
      if (!address || entries.length === 0) return false;
      return list.check(address, isIPv4(address) ? "ipv4" : "ipv6");
    },
  };
}

let cached: { spec: string; proxies: TrustedProxies } | null = null;

/** The configured list (read from the environment each call, parsed once per value). */
export function trustedProxies(): TrustedProxies {
  const spec = process.env.IISWATCH_TRUSTED_PROXIES ?? "";
  if (cached?.spec !== spec) cached = { spec, proxies: parseTrustedProxies(spec) };
  return cached.proxies;
}
