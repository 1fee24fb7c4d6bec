/**
 * The one renderer of text authors write in lab files: the steps, hints and
 * task titles. react-markdown with GitHub-flavoured markdown; raw HTML is
 * never rendered and URLs go through react-markdown's default filter (no
 * `javascript:`). Each place allows what fits it: the steps anything
 * markdown has, a hint short prose (inline code, emphasis, links, lists,
 * code blocks), a title inline code and emphasis only. Works in server and
 * client components; syntax highlighting is passed in by the lab page (on
 * the server), so client bundles do not carry highlight.js.
 */
import type { ComponentProps } from "react";
import ReactMarkdown, { type Components, type Options } from "react-markdown";
import remarkGfm from "remark-gfm";

export type MarkdownPlace = "steps" | "hint" | "title";

/** Elements each place renders; others are unwrapped to their text (undefined: all). */
const ALLOWED: Record<MarkdownPlace, string[] | undefined> = {
  steps: undefined,
  hint: ["p", "code", "pre", "em", "strong", "del", "a", "ul", "ol", "li", "br"],
  title: ["code", "em", "strong", "del"],
};

/** Links to other sites open beside the lab, so the learner's page (and terminal) stays. */
function Link({ node: _node, href, ...props }: ComponentProps<"a"> & { node?: unknown }) {
  const external = !!href && /^https?:\/\//.test(href);
  return <a href={href} {...props} {...(external ? { target: "_blank", rel: "noreferrer" } : {})} />;
}

/** A hint's paragraphs sit tight in a list item. */
const hintParagraph = ({ node: _node, ...props }: ComponentProps<"p"> & { node?: unknown }) => <p className="[&:not(:first-child)]:mt-1" {...props} />;

export interface AuthoredMarkdownProps {
  /** The markdown, as the author wrote it. */
  text: string;
  place: MarkdownPlace;
  /** Extra rehype plugins (the lab page's syntax highlighting). */
  rehypePlugins?: Options["rehypePlugins"];
  /** Overrides per element (the lab page's code blocks and widgets). */
  components?: Components;
}

export function AuthoredMarkdown({ text, place, rehypePlugins, components }: AuthoredMarkdownProps) {
  return (
    <ReactMarkdown
      remarkPlugins={[remarkGfm]}
      rehypePlugins={rehypePlugins}
      allowedElements={ALLOWED[place]}
      unwrapDisallowed
      components={{ a: Link, ...(place === "hint" ? { p: hintParagraph } : {}), ...components }}
    >
      {text}
    </ReactMarkdown>
  );
}
