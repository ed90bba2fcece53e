// The service's few HTML pages: one small template, no scripts, nothing loaded from elsewhere.
import { escapeHtml } from '../email/escapeHtml';

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
fieldset{border:1px solid #ccc;padding:1rem;margin:1rem 0}button{padding:.5rem 1.5rem}.done{color:#2a6d2a}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
