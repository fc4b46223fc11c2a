/**
 * Walks the paths given to `hardening scan`, one file at a time, read-only. Symbolic links met inside a root are
 * never followed: a target inside a root is scanned at its real place anyway, and one outside the roots must not
 * be read (a link to /etc or to a secret store is not part of the flows under review), so such a link is yielded
 * as `outside` and the scanner reports it as not scanned. A root named on the command line is followed, as grep -r
 * does, because the user named it. Nothing is skipped uncounted: git's own store (`.git`) is the only folder not
 * read, and its files are counted.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Directory names never descended into (still scanned when named as a root): git's object store holds the history
 * compressed, not the checked-out files the scan reads. Their files are counted in {@link WalkStats.ignoredFiles}.
 */
export const SKIPPED_DIRECTORIES: readonly string[] = [".git"];

/** A path that does not exist or cannot be read; the command exits 2 naming it. */
export class UnreadablePathError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`cannot read "${path}": ${reason}`);
    this.name = "UnreadablePathError";
  }
}

/** One regular file to scan. */
export interface WalkedFile {
  /** Absolute path. */
  readonly absolute: string;
  /** Path shown in findings: relative to `cwd` with forward slashes when under it, else absolute. */
  readonly display: string;
  /** Set for a symbolic link inside a root whose target exists outside every root: not read, reported. */
  readonly outside?: true;
}

/** Counters the walk keeps. */
export interface WalkStats {
  /** Symbolic links met inside a root whose target is inside a root (scanned there) or does not exist. */
  symlinksSkipped: number;
  /** FIFOs, sockets and devices met inside a root (never read). */
  specialFilesSkipped: number;
  /** Files under {@link SKIPPED_DIRECTORIES}, counted and not read. */
  ignoredFiles?: number;
}

/** Human words for the errno codes a walk meets. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT": return "no such file or directory";
    case "EACCES":
    case "EPERM": return "permission denied";
    case "ENOTDIR": return "not a directory";
    case "ELOOP": return "too many levels of symbolic links";
    case "EISDIR": return "is a directory";
    default: return code ? code : String((e as Error)?.message ?? e).split("\n")[0];
  }
}

/** The display form of an absolute path. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = path.relative(cwd, absolute);
  if (rel === "") return ".";
  if (rel.startsWith("..") || path.isAbsolute(rel)) return absolute.split(path.sep).join("/");
  return rel.split(path.sep).join("/");
}

/**
 * Checks every root before anything is scanned, so a typo fails fast: throws UnreadablePathError naming each root
 * that is missing, unreadable, or neither a file nor a directory.
 */
export function checkRoots(roots: readonly string[], cwd: string): void {
  const problems: UnreadablePathError[] = [];
  for (const root of roots) {
    const abs = path.resolve(cwd, root);
    try {
      const st = fs.statSync(abs);
      if (!st.isFile() && !st.isDirectory()) problems.push(new UnreadablePathError(root, "not a regular file or directory"));
      else fs.accessSync(abs, fs.constants.R_OK);
    } catch (e) {
      problems.push(new UnreadablePathError(root, describeFsError(e)));
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new UnreadablePathError(problems.map((p) => p.path).join(", "), problems.map((p) => `"${p.path}": ${p.reason}`).join("; "));
  }
}

/**
 * The roots without repeats: a root equal to or inside another root is dropped (its files are walked through the
 * outer one), so `scan flows flows/a.yml` reports each finding once. Order of first appearance is kept.
 */
export function distinctRoots(roots: readonly string[], cwd: string): string[] {
  const resolved = roots.map((r) => path.resolve(cwd, r));
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
  return roots.filter((_, i) => !resolved.some((other, j) =>
    j !== i && inside(resolved[i], other) && (resolved[i] !== other || j < i)));
}

/**
 * Yields every regular file under `roots` in a stable order (roots as given, entries sorted by name, depth first).
 * Throws UnreadablePathError for a root or directory it cannot read. Never writes anything.
 */
export function* walkFiles(roots: readonly string[], cwd: string, stats: WalkStats): Generator<WalkedFile> {
  const realRoots = roots.map((r) => {
    try {
      return fs.realpathSync(path.resolve(cwd, r));
    } catch {
      return path.resolve(cwd, r);
    }
  });
  const insideRoots = (target: string) => realRoots.some((r) => target === r || target.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
  for (const root of distinctRoots(roots, cwd)) {
    const abs = path.resolve(cwd, root);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      throw new UnreadablePathError(root, describeFsError(e));
    }
    if (st.isFile()) {
      yield { absolute: abs, display: displayPath(abs, cwd) };
      continue;
    }
    if (!st.isDirectory()) throw new UnreadablePathError(root, "not a regular file or directory");
    // An explicit stack instead of recursion: a deep tree must not overflow the call stack. Display paths are
    // built by appending names to the directory's, not by path.relative per file (it dominates a large walk).
    const stack: { dir: string; display: string }[] = [{ dir: abs, display: displayPath(abs, cwd) }];
    while (stack.length > 0) {
      const { dir, display } = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        throw new UnreadablePathError(display, describeFsError(e));
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const prefix = display === "." ? "" : display.endsWith("/") ? display : `${display}/`;
      const subdirs: { dir: string; display: string }[] = [];
      const dirPrefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      for (const entry of entries) {
        const full = dirPrefix + entry.name;
        if (entry.isSymbolicLink()) {
          let target: string | undefined;
          try {
            target = fs.realpathSync(full);
          } catch {
            target = undefined; // dangling or a loop: nothing to read
          }
          if (target === undefined || insideRoots(target)) stats.symlinksSkipped++;
          else yield { absolute: full, display: prefix + entry.name, outside: true };
        } else if (entry.isDirectory()) {
          if (!SKIPPED_DIRECTORIES.includes(entry.name)) subdirs.push({ dir: full, display: prefix + entry.name });
          else stats.ignoredFiles = (stats.ignoredFiles ?? 0) + countFiles(full);
        } else if (entry.isFile()) yield { absolute: full, display: prefix + entry.name };
        // FIFOs, sockets and devices: reading one could block forever or read a device.
        else stats.specialFilesSkipped++;
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
  }
}

/** Files (of any kind but folders) under `dir`, without recursion; unreadable folders count as empty. */
function countFiles(dir: string): number {
  let n = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isDirectory()) stack.push(path.join(d, e.name));
      else n++;
    }
  }
  return n;
}
