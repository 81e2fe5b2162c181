/**
 * HTML building blocks of the demo pages: escaping, JSON that is safe inside `<script>`, and the
 * page frame of MapProxy's `demo/static.html` (header, menu, content).
 */
import { escapeXml } from '../../util/index.js';
import type { ServiceResponse } from '../types.js';

/** Escapes text for HTML element content and quoted attribute values (`& < > " '`). */
export const escapeHtml = escapeXml;

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line separators
 * become `\uXXXX`, so no value can close the script element or start a comment.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface PageOptions {
  /** Second menu entry (`WMS osm EPSG:4326`); undefined on the index page. */
  readonly menuTitle?: string | undefined;
  /** Already escaped HTML of the content box. */
  readonly body: string;
  /** Already escaped HTML appended to `<head>` (stylesheets). */
  readonly head?: string;
  /** Already escaped HTML before `</body>` (scripts). */
  readonly scripts?: string;
}

/** The page frame as MapProxy's `static.html`. Relative links: pages live at `/demo/`. */
export function renderPage(options: PageOptions): string {
  const menu =
    options.menuTitle === undefined
      ? '<span class="current"><a href="./">Demos</a></span>'
      : `<span class=""><a href="./">Demos</a></span>\n            <span class="current"><a href="">${escapeHtml(options.menuTitle)}</a></span>`;
  return `<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8">
    <title>MapProxy Demo</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" type="text/css" href="static/site.css">${options.head ?? ''}
  </head>
  <body>
    <div id="box">
      <div id="header"><h1>MapProxy</h1></div>
      <div id="menu">
            ${menu}
      </div>
      <div id="content">
${options.body}
      </div>
    </div>
${options.scripts ?? ''}
  </body>
</html>
`;
}

/** A demo HTML page; MapProxy sends demo pages without caching headers. */
export function htmlResponse(body: string, status = 200): ServiceResponse {
  return { status, contentType: 'text/html; charset=utf-8', body, cache: { kind: 'none' } };
}

/** A page that says what was not found (unknown layer or SRS), as a 404. */
export function notFoundPage(message: string): ServiceResponse {
  return htmlResponse(
    renderPage({ menuTitle: 'Not found', body: `<h2>Not found</h2>\n<p>${escapeHtml(message)}</p>` }),
    404,
  );
}
