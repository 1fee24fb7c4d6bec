/**
 * Unit tier: lab text is authored content (now also written in the browser
 * and pushed over the API by any instructor), rendered for learners. Raw
 * HTML never reaches the page as markup, and script URLs never as links.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AuthoredMarkdown } from "./authored-markdown";

const render = (text: string, place: "steps" | "hint" | "title" = "steps") => renderToStaticMarkup(createElement(AuthoredMarkdown, { text, place }));

describe("authored markdown", () => {
  it("renders raw HTML as nothing executable", () => {
    const html = render('Hello <script>alert("x")</script> <img src=x onerror="alert(1)"> <iframe src="https://evil.example"></iframe>\n\n<div onclick="steal()">block</div>');
    // No such element, and no event handler attribute on any element: the author's HTML is at most escaped text.
    expect(html).not.toMatch(/<(script|img|iframe|div)\b/i);
    expect(html).not.toMatch(/<[^>]*\son\w+=/i);
    expect(html).toContain("Hello");
  });

  it("drops javascript: and data: link targets but keeps https links (opened beside the lab)", () => {
    const html = render("[a](javascript:alert(1)) [b](data:text/html,<script>x</script>) [c](https://example.com/docs)");
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect(html).toContain('href="https://example.com/docs"');
    expect(html).toContain('rel="noreferrer"');
  });

  it("keeps each place to what fits it: a title renders no links or headings", () => {
    const html = render("# Big [link](https://example.com) `code`", "title");
    expect(html).not.toMatch(/<h1|<a /);
    expect(html).toContain("<code>code</code>");
  });
});
