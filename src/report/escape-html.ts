const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made inert in HTML and SVG, in element content and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

/** Text made inert as element content only (no tag can open); quotes stay readable. For Markdown. */
export function escapeHtmlContent(text: string): string {
  return text.replace(/[&<>]/g, (character) => ENTITIES[character]!);
}
