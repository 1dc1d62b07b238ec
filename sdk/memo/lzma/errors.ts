/** Codes of {@link LzmaError}. */
export type LzmaErrorCode =
  /** The 13-byte header is not LZMA-alone (bad properties byte). */
  | 'LZMA_BAD_HEADER'
  /** The header declares a dictionary larger than the decoder accepts. */
  | 'LZMA_DICTIONARY_TOO_LARGE'
  /** The compressed data is inconsistent (bad distance, bad end, wrong size). */
  | 'LZMA_CORRUPT'
  /** The input ended before the stream did. */
  | 'LZMA_TRUNCATED';

/** An LZMA-alone stream that cannot be decoded. Internal: callers map it to their own errors. */
export class LzmaError extends Error {
  readonly code: LzmaErrorCode;

  constructor(code: LzmaErrorCode, message: string) {
    super(message);
    this.name = 'LzmaError';
    this.code = code;
  }
}
