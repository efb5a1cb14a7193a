import { Argument, type Command } from 'commander';
import type { CommandContext } from '../command-context';

/** `ledgerlake completion bash|zsh`: the completion script of the program's own command tree. */
export function registerCompletion(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  program
    .command('completion')
    .description('print a shell completion script: eval "$(ledgerlake completion bash)" in ~/.bashrc (zsh: ~/.zshrc)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: import('../completion').CompletionShell) => {
      const { completionScript } = await import('../completion');
      const tree = (command: Command): import('../completion').CompletionNode => ({
        name: command.name(),
        options: command.options.flatMap((option) => (option.long === undefined ? [] : [option.long])),
        commands: command.commands.filter((child) => child.name() !== 'completion').map(tree),
      });
      io.stdout.write(completionScript(shell, tree(program)));
    });
}
