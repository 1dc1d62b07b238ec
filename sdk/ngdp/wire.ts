/**
 * NgDP's JSON shapes that both sides of the integration API share, with the field names of NgDP's
 * API 1.68.0. Date-times are ISO-8601 strings as on the wire.
 */
import type { ReceiptStatus } from './enums.ts';

/** `FieldErrorResource`: one field NgDP refused, in an {@link ErrorMessage}. */
export interface FieldErrorResource {
  resource?: string;
  field?: string;
  code?: string;
  message?: string;
  rejectedValue?: unknown;
}

/** `ErrorMessage`: the body of NgDP's 4xx/5xx answers. */
export interface ErrorMessage {
  code?: string;
  message?: string;
  fieldErrors?: FieldErrorResource[];
}

/** NgDP's `Receipt`: technical (`RECEIVED`) or business (`COMPLETED`, `INVALID`, `NOT_ALLOWED`). */
export interface Receipt {
  /** The receipt's own id, for `GET`/`DELETE /receipts/{id}` (receipts from lists only). */
  id?: string;
  transmissionId: string;
  messageUUID?: string;
  messageId?: string;
  timeStamp: string;
  receiptStatus: ReceiptStatus;
  errorCode?: string;
  errorMessage?: string;
}

/** `BulkReceipt`: a {@link Receipt} in a list, with its own id (for `GET`/`DELETE /receipts/{id}`). */
export interface BulkReceipt extends Receipt {
  id: string;
}

/** `ReceiptSearchResult`: one page of `GET /receipts-bulk/`. */
export interface ReceiptSearchResult {
  currentPage?: number;
  totalPages?: number;
  elementsOnPage?: number;
  totalElements?: number;
  receipts: BulkReceipt[];
}

/** `PagingArguments`: where a page of a `PagingResultUUID` is. */
export interface PagingArguments {
  page?: number;
  size?: number;
  ordering?: Array<{ property?: string; direction?: string }>;
}

/** `PagingResultUUID`: one page of ids (`GET /memos/`, `GET /receipts/`). */
export interface PagingResultUUID {
  content: string[];
  number?: number;
  size?: number;
  previous?: PagingArguments;
  next?: PagingArguments;
  totalElements?: number;
  totalPages?: number;
}

/**
 * The frame of NgDP's searches (`ContactSearchResult`, `ContactPointSearchResult`, …) around their
 * list: `next` is the cursor of the page after this one.
 */
export interface SearchResultFrame {
  currentPage?: number;
  next?: string;
  totalPages?: number;
  elementsOnPage?: number;
  totalElements?: number;
}
