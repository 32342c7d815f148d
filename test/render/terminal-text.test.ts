import { describe, expect, it } from 'vitest';
import { ansiColors } from '../../src/render/colors.js';
import { escapeControls, terminalSafe } from '../../src/render/terminal-text.js';

describe('escapeControls', () => {
  it.each([
    ['plain text, tabs and unicode stay', 'a\tb é 日本 😀', 'a\tb é 日本 😀'],
    ['ESC, CSI and OSC sequences', '\u001b[2J\u001b]0;t\u0007', '\\u001b[2J\\u001b]0;t\\u0007'],
    ['newline and carriage return (one line of output)', 'a\nb\rc', 'a\\u000ab\\u000dc'],
    ['C1 controls and DEL', '\u009b31m\u007f', '\\u009b31m\\u007f'],
    ['bidi overrides and isolates, line separators', '\u202egnp\u2066\u2028', '\\u202egnp\\u2066\\u2028'],
    ['lone surrogates', 'a\ud800b\udc00', 'a\\ud800b\\udc00'],
  ])('%s', (_name, input, want) => {
    expect(escapeControls(input)).toBe(want);
  });
});

describe('terminalSafe', () => {
  it("keeps lotusctl's colours when colour is on, escapes every other sequence", () => {
    const line = `${ansiColors.red('error')}: \u001b]52;c;cGF5bG9hZA==\u0007 \u001b[1A\n`;
    expect(terminalSafe(line, true)).toBe('\u001b[31merror\u001b[39m: \\u001b]52;c;cGF5bG9hZA==\\u0007 \\u001b[1A\n');
    expect(terminalSafe(line, false)).toBe('\\u001b[31merror\\u001b[39m: \\u001b]52;c;cGF5bG9hZA==\\u0007 \\u001b[1A\n');
  });

  it('keeps the clear-screen of status --watch only on a terminal', () => {
    expect(terminalSafe('\u001b[H\u001b[2Jstatus\n', false, true)).toBe('\u001b[H\u001b[2Jstatus\n');
    expect(terminalSafe('\u001b[H\u001b[2Jstatus\n', true, false)).toBe('\\u001b[H\\u001b[2Jstatus\n');
  });

  it('keeps JSON valid: escapes become \\u sequences inside strings', () => {
    const doc = JSON.stringify({ a: 'x\u009by\u202e' });
    expect(JSON.parse(terminalSafe(doc, false))).toEqual({ a: 'x\u009by\u202e' });
    expect(terminalSafe(doc, false)).not.toMatch(/[\u009b\u202e]/);
  });
});
