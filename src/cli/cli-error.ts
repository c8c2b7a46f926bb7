/**
 * The error type commands throw to end the program with a given exit code and a one-line message.
 *
 * @module
 */

/** Exit code: the thing asked for does not exist (unknown instrument, no listing). */
export const EXIT_NOT_FOUND = 1;
/** Exit code: the command line is wrong (malformed query, bad option). */
export const EXIT_USAGE = 2;
/** Exit code: input data could not be loaded (unreadable or unparsable file). */
export const EXIT_DATA = 3;

/** A failure reported to the user as `instreg: <message>` on stderr, ending with `exitCode`. */
export class CliError extends Error {
  /**
   * @param message one line, no trailing newline
   * @param exitCode process exit code (default {@link EXIT_NOT_FOUND})
   */
  constructor(
    message: string,
    readonly exitCode: number = EXIT_NOT_FOUND,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Make a message one line (payload excerpts in parse errors may carry newlines). */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
