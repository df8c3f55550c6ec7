/** A one-line progress bar on a terminal; on a pipe (CI) a line every 10%. */
export interface Progress {
  done: number;
  total: number;
  ratePerSecond: number;
  etaSeconds: number | undefined;
}

export function progressBar(label: string, out: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  return {
    update({ done, total, ratePerSecond, etaSeconds }: Progress): void {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const width = 30;
      const filled = Math.round(fraction * width);
      const eta = etaSeconds === undefined ? '--' : `${Math.ceil(etaSeconds)}s`;
      const text =
        `${label} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${(fraction * 100).toFixed(0).padStart(3)}% ` +
        `${done.toLocaleString('en')}/${total.toLocaleString('en')} ${Math.round(ratePerSecond).toLocaleString('en')}/s ETA ${eta}`;
      if (out.isTTY) {
        out.write(`\r${text}`);
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          out.write(`${text}\n`);
        }
      }
    },
    end(): void {
      if (out.isTTY) out.write('\n');
    },
  };
}
