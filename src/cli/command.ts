/** A `ror` sub-command: `ror <name> [args…]`. */
export interface Command {
  name: string;
  /** One line for `ror help` (English). */
  summary: string;
  usage?: string;
  run(args: string[]): Promise<number | void>;
}
