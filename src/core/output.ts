/** Where a command writes. Only the CLI and reporters hold one. */
export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}
