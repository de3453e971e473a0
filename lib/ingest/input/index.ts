// Input layer: opening uploads (plain, gzip, zip), decoding text, and sniffing the format.
export { openInputs, type InputMember, type OpenInputsOptions } from "./open";
export { sniffFormat, detectFormat, SNIFF_BYTES } from "./sniff";
export { peek } from "./open";
export {
  decodeText,
  decodeHead,
  detectEncoding,
  findBinaryByte,
  readLines,
  exceedsBytes,
  ChunkDecoder,
  type TextEncoding,
  type EncodingInfo,
  type TextLine,
} from "./text";
