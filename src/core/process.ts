/** What dagrun asks the operating system about other processes. */

/** Whether a process of this host still runs (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  // 0 and negative numbers name process groups (kill(-1) reaches every process): no run's pid
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
