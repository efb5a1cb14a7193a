/*
 * `ledgerlake completion bash|zsh`: a completion script generated from the command tree itself, so
 * it never lags behind the commands: commands and subcommands by position, each command's options,
 * file names for everything else. zsh loads the same script through its bash compatibility.
 */

/** A command as completion sees it. */
export interface CompletionNode {
  readonly name: string;
  readonly options: readonly string[];
  readonly commands: readonly CompletionNode[];
}

/** The shells `completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The script for `shell`, to `eval` (or put in the shell's completion folder). */
export function completionScript(shell: CompletionShell, root: CompletionNode): string {
  const paths: [string, CompletionNode][] = [];
  const walk = (node: CompletionNode, path: string): void => {
    paths.push([path, node]);
    for (const child of node.commands) walk(child, path === '' ? child.name : `${path} ${child.name}`);
  };
  walk(root, '');
  const cases = paths.map(([path, node]) => {
    const words = [...node.commands.map((child) => child.name), ...node.options].join(' ');
    return `    ${JSON.stringify(path)}) words=${JSON.stringify(words)} ;;`;
  });
  const known = paths.map(([path]) => `|${path}|`).join('');
  const bash = [
    `# ${root.name} completion for ${shell}: eval "$(${root.name} completion ${shell})"`,
    `_${root.name}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" path="" next w words',
    // The deepest command the words so far name (option values and arguments are skipped).
    '  for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do',
    '    if [ -z "$path" ]; then next="$w"; else next="$path $w"; fi',
    `    case ${JSON.stringify(known)} in *"|$next|"*) path="$next" ;; esac`,
    '  done',
    '  case "$path" in',
    ...cases,
    '    *) words="" ;;',
    '  esac',
    '  if [[ "$cur" == -* || ( -n "$words" && "$cur" != */* ) ]]; then',
    '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '  fi',
    '  if [ ${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- "$cur")); fi',
    '}',
    `complete -o filenames -F _${root.name} ${root.name}`,
  ];
  const zsh = ['autoload -U +X bashcompinit && bashcompinit'];
  return `${[...(shell === 'zsh' ? zsh : []), ...bash].join('\n')}\n`;
}
