/**
 * Why a file a sender system dropped for sending (SFTP `/in`) was not taken: kept, by file name,
 * until the system removes it (`/out/errors/<fileName>.json`). The content is the `ErrorMessage` the
 * SFTP adapter made of the refusal.
 */
import type { FileErrorRecord, SystemRecord } from '../domain/model.ts';
import type { EngineContext } from './context.ts';

export class FileErrors {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /** Records why a file was not taken; it replaces an earlier error of the same file name. */
  record(
    system: SystemRecord,
    fileName: string,
    errorMessage: FileErrorRecord['errorMessage'],
  ): FileErrorRecord {
    const error: FileErrorRecord = {
      systemId: system.id,
      fileName,
      createdAt: this.context.now(),
      errorMessage,
    };
    this.context.change(() => this.context.store.putFileError(error));
    return error;
  }

  /** The system's file errors, by file name. */
  list(system: SystemRecord): FileErrorRecord[] {
    return this.context.store.listFileErrors(system.id);
  }

  find(system: SystemRecord, fileName: string): FileErrorRecord | undefined {
    return this.context.store.getFileError(system.id, fileName);
  }

  /** Removes a file error; false when there was none of that name. */
  dismiss(system: SystemRecord, fileName: string): boolean {
    return this.context.change(() => this.context.store.deleteFileError(system.id, fileName));
  }
}
