/** The demo pages' stylesheet (layout of MapProxy's demo `site.css`, written anew). */
export const SITE_CSS = `body { font-family: sans-serif; font-size: 14px; margin: 0; background: #eee; color: #222; }
#box { max-width: 1000px; margin: 0 auto; background: #fff; padding: 0 20px 20px; }
#header h1 { margin: 0; padding: 20px 0 10px; color: #35545f; }
#menu { border-bottom: 2px solid #35545f; padding: 4px 0; }
#menu span { padding: 2px 10px; }
#menu span.current { background: #35545f; }
#menu span.current a { color: #fff; }
a { color: #2a6f8a; }
table.code { border-collapse: collapse; margin: 10px 0; }
table.code td, table.code th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
.capabilities span { margin-right: 8px; }
.code, pre { font-family: monospace; }
pre { background: #f6f6f6; padding: 8px; overflow: auto; }
#map { width: 100%; height: 450px; border: 1px solid #ccc; }
`;
