// Input layer: opening uploads (plain, gzip, zip), decoding text, and sniffing the format.
export { openInputs, DEFAULT_OPEN_OPTIONS, type InputMember, type OpenInputsOptions } from "./open";
export { sniffFormat, detectFormat, isEvtx, SNIFF_BYTES } from "./sniff";
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
