/**
 * XSLT 1.0 through libxslt's `xsltproc` (Debian package `xsltproc`): the library lxml wraps, so
 * feature info is parsed (HTML too, by libxml2's lenient HTML parser) and transformed as in MapProxy.
 * One process per transform; the stylesheet is read when it runs, as MapProxy reads it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { escapeXml } from './xml.js';

/** The program, for messages (`featureinfo_xslt requires xsltproc`). */
export const XSLTPROC = 'xsltproc';

let available: boolean | undefined;

/** Whether `xsltproc` runs here (checked once per process). */
export function hasXsltproc(): boolean {
  available ??= spawnSync(XSLTPROC, ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** How the result is serialised: lxml's `etree.tostring` (XML) or `html.tostring` (HTML). */
export type XsltOutput = 'xml' | 'html';

export interface XsltOptions {
  /** Parse the input with libxml2's HTML parser (lxml `html.document_fromstring`). */
  readonly htmlInput: boolean;
  readonly output: XsltOutput;
  readonly timeoutMs?: number | undefined;
}

/**
 * A stylesheet importing `stylesheet` whose `xsl:output` wins: MapProxy serialises the result tree
 * with lxml, which ignores the stylesheet's output settings (no declaration, no indent, ASCII with
 * character references) rather than writing it as xsltproc would.
 */
function wrapper(stylesheet: string, output: XsltOutput): string {
  const href = escapeXml(pathToFileURL(stylesheet).href);
  return `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:import href="${href}"/>
<xsl:output method="${output}" omit-xml-declaration="yes" indent="no" encoding="US-ASCII"/>
</xsl:stylesheet>
`;
}

/**
 * `input` transformed by the XSLT 1.0 file `stylesheet`. Rejects with xsltproc's messages when the
 * stylesheet or the input does not parse, or the transform fails. Documents that declare entities
 * are refused before they reach the parser (no external entity can read a local file).
 */
export async function runXslt(stylesheet: string, input: Buffer, options: XsltOptions): Promise<Buffer> {
  if (/<!ENTITY/i.test(input.toString('latin1')))
    throw new Error('documents with entity declarations are not transformed');
  const dir = await mkdtemp(join(tmpdir(), 'mapproxy-xslt-'));
  try {
    const wrapped = join(dir, 'wrapper.xsl');
    await writeFile(wrapped, wrapper(stylesheet, options.output));
    // --nonet: never fetch DTDs or stylesheets over the network; --novalid: skip DTD loading
    const args = ['--nonet', '--novalid', ...(options.htmlInput ? ['--html'] : []), wrapped, '-'];
    return await run(args, input, options.timeoutMs ?? 30_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(args: readonly string[], input: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(XSLTPROC, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    // a child that exits before reading all of its input must not crash us with EPIPE
    child.stdin.on('error', () => undefined);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else {
        const why = Buffer.concat(err).toString('utf8').trim() || `exit ${String(code ?? signal)}`;
        reject(new Error(`XSL transformation failed: ${why}`));
      }
    });
    child.stdin.end(input);
  });
}
