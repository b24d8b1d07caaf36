// `npm run firmware`: find or fetch Debian's OpenSBI and U-Boot and print their paths.
//
//   npm run firmware [-- --json] [-- --no-fetch]
//
// Plain output is one `name path` pair per line, easy to read and to cut.
import { FirmwareNotFoundError, locateFirmware } from './firmware.ts';

const USAGE = 'usage: firmware [--json] [--no-fetch]\n';

async function firmwareMain(argv: string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--json' && arg !== '--no-fetch');
  if (unknown.length > 0) {
    process.stderr.write(`firmware: unknown option ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  try {
    const paths = await locateFirmware({ fetch: !argv.includes('--no-fetch') });
    if (argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
    } else {
      const rows: [string, string | undefined][] = [
        ['opensbi', paths.opensbi],
        ['opensbi-elf', paths.opensbiElf],
        ['uboot', paths.uboot],
        ['uboot-elf', paths.ubootElf],
      ];
      for (const [name, file] of rows) if (file) process.stdout.write(`${name.padEnd(12)}${file}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof FirmwareNotFoundError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await firmwareMain(process.argv.slice(2));
