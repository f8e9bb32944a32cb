"""Shell completion: click's own for bash, zsh and fish, and a small one for PowerShell.

``ruhrtimeline --show-completion [SHELL]`` prints the script; ``--install-completion [SHELL]``
writes it where the shell finds it.  The PowerShell script follows the one typer ships
(MIT licence, © Sebastián Ramírez).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click
from click.shell_completion import CompletionItem, ShellComplete, add_completion_class

from ruhrtimeline.files import add_line, write_creating

PROG = "ruhrtimeline"
COMPLETE_VAR = "_RUHRTIMELINE_COMPLETE"

_POWERSHELL = """\
Register-ArgumentCompleter -Native -CommandName %(prog_name)s -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $Env:%(complete_var)s = "powershell_complete"
    $Env:_RUHRTIMELINE_COMPLETE_ARGS = $commandAst.ToString()
    $Env:_RUHRTIMELINE_COMPLETE_WORD = $wordToComplete
    %(prog_name)s | ForEach-Object {
        $item = $_ -Split ":::"
        [System.Management.Automation.CompletionResult]::new(
            $item[0], $item[0], 'ParameterValue', $item[1])
    }
    Remove-Item Env:%(complete_var)s
    Remove-Item Env:_RUHRTIMELINE_COMPLETE_ARGS, Env:_RUHRTIMELINE_COMPLETE_WORD
}
"""


@add_completion_class
class PowerShellComplete(ShellComplete):
    name = "powershell"
    source_template = _POWERSHELL

    def get_completion_args(self) -> tuple[list[str], str]:
        line = os.environ.get("_RUHRTIMELINE_COMPLETE_ARGS", "")
        try:
            words = shlex.split(line)
        except ValueError:  # an unfinished quote
            words = line.split()
        incomplete = os.environ.get("_RUHRTIMELINE_COMPLETE_WORD", "")
        return (words[1:-1] if incomplete else words[1:]), incomplete

    def format_completion(self, item: CompletionItem) -> str:
        return f"{item.value}:::{item.help or ' '}"


def _shell(value: str) -> str:
    if value != "auto":
        return value
    name = Path(os.environ.get("SHELL", "")).name
    if name in ("bash", "zsh", "fish"):
        return name
    if os.name == "nt":
        return "powershell"
    raise click.UsageError(
        "cannot tell which shell you use; name it: bash, zsh, fish or powershell"
    )


def script(ctx: click.Context, shell: str) -> str:
    root = ctx.find_root().command
    cls = click.shell_completion.get_completion_class(shell)
    if cls is None:
        raise click.UsageError(f"no completion for {shell}")
    return cls(root, {}, PROG, COMPLETE_VAR).source()


def show(ctx: click.Context, value: str) -> None:
    click.echo(script(ctx, _shell(value)), nl=False)
    ctx.exit()


def install(ctx: click.Context, value: str) -> None:
    """Write the script where the shell looks, and load it from the shell's start-up file."""
    shell = _shell(value)
    text = script(ctx, shell)
    home = Path.home()
    if shell == "bash":
        target = home / ".bash_completions" / f"{PROG}.sh"
        add_line(home / ".bashrc", f"source '{target}'")
    elif shell == "zsh":
        target = home / ".zfunc" / f"_{PROG}"
        add_line(home / ".zshrc", "fpath+=~/.zfunc; autoload -Uz compinit; compinit")
    elif shell == "fish":
        target = home / ".config" / "fish" / "completions" / f"{PROG}.fish"
    else:
        folder = Path(os.environ.get("USERPROFILE", home)) / "Documents" / "PowerShell"
        target = folder / f"{PROG}-completion.ps1"
        add_line(folder / "Microsoft.PowerShell_profile.ps1", f". '{target}'")
    write_creating(target, text)
    click.echo(f"{shell} completion installed in {target}; open a new shell to use it")
    ctx.exit()
