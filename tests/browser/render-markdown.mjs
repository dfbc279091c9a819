// Render a Markdown file to HTML the way a Markdown viewer would, for the escaping tests.
//
//   node render-markdown.mjs FILE.md    prints the HTML on standard output
//
// markdown-it follows CommonMark; tables, footnotes and linkify (bare http:// and www.
// links, as GitHub-flavoured Markdown makes them) are on, raw HTML is allowed through
// (html: true), as in viewers that trust the file: the export itself must keep it inert.
import MarkdownIt from "markdown-it";
import footnote from "markdown-it-footnote";
import { readFileSync } from "node:fs";

const md = new MarkdownIt({ html: true, linkify: true }).use(footnote);
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false }); // GitHub links www. and schemes
process.stdout.write(md.render(readFileSync(process.argv[2], "utf-8")));
