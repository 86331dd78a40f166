import { type Command, CommanderError } from "commander";

/**
 * A usage error of one command, named by the words that reach it (`nomad-patch pair receive`):
 * "add --help" alone leaves the user to guess where (`nomad-patch --help` lists only the commands),
 * so the hint names the help that has the option or argument that was wrong.
 */
export class CommandUsageError extends CommanderError {
  readonly hint: string;
  constructor(error: CommanderError, command: Command) {
    super(error.exitCode, error.code, usageMessage(error, command));
    this.hint = usageHint(command);
  }
}

/** The words a user types to reach `command`: `nomad-patch pair receive`. */
export function commandPath(command: Command): string {
  const words: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) words.unshift(at.name());
  return words.join(" ");
}

/** What to run for the usage of `command`. */
export function usageHint(command: Command): string {
  return `run \`${commandPath(command)} --help\` for usage`;
}

/**
 * Makes every command's usage error end with the hint that names it, in the text commander writes
 * and in the error `main` turns into a failure (the `--json` form has no other text).
 */
export function nameCommandInUsageErrors(program: Command): void {
  const visit = (command: Command) => {
    command.showHelpAfterError(`(${usageHint(command)})`).exitOverride((error) => {
      throw new CommandUsageError(error, command);
    });
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
}

/**
 * Commander's message, except for a command run without the subcommand it needs: commander prints
 * the help (text only) and gives "(outputHelp)" as the message, which says nothing in `--json`.
 */
function usageMessage(error: CommanderError, command: Command): string {
  if (error.code !== "commander.help") return error.message;
  const names = command.commands.map((sub) => sub.name()).filter((name) => name !== "help");
  return `error: \`${commandPath(command)}\` needs a command: ${names.join(", ")}`;
}
