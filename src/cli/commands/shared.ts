/** Helpers the commands share: where output goes, and opening/closing the warehouse around work. */
import { openWarehouse } from '../../warehouse/open.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import type { Session } from '../session.js';

/** Where a command writes. Only the CLI and reporters hold one. */
export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Opens the session's warehouse, runs `work`, and always closes it. */
export async function withWarehouse<T>(session: Session, work: (warehouse: Warehouse) => Promise<T>, onRetry?: (message: string) => void): Promise<T> {
  const warehouse = await openWarehouse(session.config, { runId: session.runId, onRetry });
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
}
