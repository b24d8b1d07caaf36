// A progress bar on stderr for long operations, shown only when stderr is a terminal.
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private shown = false;

  constructor(private readonly label: string) {}

  update(done: number, total: number): void {
    if (!this.tty || total <= 0) return;
    const f = Math.max(0, Math.min(1, done / total));
    const width = 30;
    const bar = '#'.repeat(Math.round(f * width)).padEnd(width, '.');
    process.stderr.write(`\r${this.label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}%`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
