/** A small Dockerfile reader for the static checks of the image: instructions per build stage. */

export interface Instruction {
  keyword: string;
  /** The raw argument text after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  /** `FROM image [AS name]`. */
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG lines before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
}

/** Joins `\` continuations, drops comments and blank lines, and groups instructions by stage. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (pending === undefined && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== undefined && trimmed.startsWith('#')) return;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending === undefined ? { text: body, line: index + 1 } : { text: `${pending.text} ${body}`.trim(), line: pending.line };
    if (!continued) {
      const match = /^(\w+)\s*(.*)$/s.exec(pending.text);
      if (!match) throw new Error(`line ${pending.line}: not an instruction: ${pending.text}`);
      instructions.push({ keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim(), line: pending.line });
      pending = undefined;
    }
  });
  if (pending !== undefined) throw new Error(`line ${pending.line}: continuation at end of file`);

  const result: Dockerfile = { globalArgs: [], stages: [] };
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      result.stages.push({ image: from[1] as string, ...(from[2] ? { name: from[2] } : {}), instructions: [] });
    } else if (result.stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      result.globalArgs.push(instruction);
    } else {
      (result.stages.at(-1) as Stage).instructions.push(instruction);
    }
  }
  return result;
}

/** The JSON (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD; the shell form is refused (it needs /bin/sh and breaks signals). */
export function execForm(args: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new Error(`expected the exec (JSON array) form, got: ${args}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`expected a JSON array of strings, got: ${args}`);
  return parsed;
}

export interface Healthcheck {
  options: Record<string, string>;
  command: string[];
}

export function parseHealthcheck(args: string): Healthcheck {
  const match = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(.*)$/s.exec(args);
  if (!match) throw new Error(`HEALTHCHECK must be "[--option=value ...] CMD [...]", got: ${args}`);
  const options = Object.fromEntries(
    (match[1] as string)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((option) => {
        const [key, value] = option.slice(2).split('=');
        return [key as string, value as string];
      }),
  );
  return { options, command: execForm(match[2] as string) };
}

/** `COPY [--from=stage] [--chown=...] src... dest`: the sources and where they come from. */
export function parseCopy(args: string): { from?: string; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  if (paths.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1) as string };
}
