import { InputError, parseCommandLine } from '../../scripts/verify-replication/inputs';

/** The message of the InputError that the inputs raise; fails when they are accepted or raise anything else. */
export function inputError(argv: string[], env: Record<string, string | undefined>): string {
  let thrown: unknown;
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InputError);
  const { message } = thrown as InputError;
  expect(message).not.toContain('\n');
  return message;
}
