import { describe, expect, it, test } from 'vitest';
import { parseXlCfg, positionInString, XlCfgError, type XlCfgValue } from '../../src/hypervisor/config/xlcfg-parse.ts';
import { formatDiagnostic } from '../../src/hypervisor/config/diagnostics.ts';

/** A value without positions, for comparing shapes. */
function plain(v: XlCfgValue): unknown {
  if (v.kind === 'list') return v.items.map(plain);
  return v.value;
}

function settings(text: string): Record<string, unknown> {
  const f = parseXlCfg(text, 'a.cfg');
  return Object.fromEntries([...f.settings.values()].map((s) => [s.key, plain(s.value)]));
}

function syntaxError(text: string): XlCfgError {
  try {
    parseXlCfg(text, 'a.cfg');
  } catch (e) {
    if (e instanceof XlCfgError) return e;
    throw e;
  }
  throw new Error(`no syntax error in ${JSON.stringify(text)}`);
}

describe('xl.cfg syntax forms', () => {
  test.each([
    ['double-quoted string', 'name = "web"', { name: 'web' }],
    ['single-quoted string', "name = 'web'", { name: 'web' }],
    ['no spaces', 'name="web"', { name: 'web' }],
    ['tabs', 'name\t=\t"web"', { name: 'web' }],
    ['decimal number', 'memory = 512', { memory: 512 }],
    ['hex number', 'memory = 0x200', { memory: 512 }],
    ['octal number (leading 0, as strtol reads it)', 'memory = 010', { memory: 8 }],
    ['zero', 'a = 0', { a: 0 }],
    ['empty list', 'vif = []', { vif: [] }],
    ['list', "disk = ['a', 'b']", { disk: ['a', 'b'] }],
    ['list with trailing comma', "disk = ['a', 'b',]", { disk: ['a', 'b'] }],
    ['mixed list', 'x = ["a", 1, 0x10]', { x: ['a', 1, 16] }],
    ['nested list', 'vnuma = [ ["pnode=0", "size=512"], [] ]', { vnuma: [['pnode=0', 'size=512'], []] }],
    ['multi-line list with comments', "disk = [\n  'a', # first\n\n  'b',\n  # none\n]\n", { disk: ['a', 'b'] }],
    ['newline right after "["', 'x = [\n1]', { x: [1] }],
    ['newline before ","', 'x = [1\n, 2]', { x: [1, 2] }],
    ['semicolon separators', 'name = "h0"; type = "hvm";', { name: 'h0', type: 'hvm' }],
    ['repeated separators and blank lines', ';;\n\nname = "a";;\n\n', { name: 'a' }],
    ['comment lines and trailing comments', '# header\nname = "a" # the name\n  # indented\n', { name: 'a' }],
    ['last line without a newline', 'a = 1\nb = 2', { a: 1, b: 2 }],
    ['comment at end of file without a newline', 'a = 1\n# done', { a: 1 }],
    ['CRLF line ends', 'a = 1\r\nb = "x"\r\n', { a: 1, b: 'x' }],
    ['"#" inside a string', 'extra = "a#b"', { extra: 'a#b' }],
    ['"," and "=" inside a string', "disk = ['format=raw, vdev=xvda']", { disk: ['format=raw, vdev=xvda'] }],
    ['empty string', 'extra = ""', { extra: '' }],
    ['key with digits and _', 'on_poweroff = "destroy"\nx1_y = 2', { on_poweroff: 'destroy', x1_y: 2 }],
    ['later "=" replaces the value', 'memory = 1\nmemory = 2', { memory: 2 }],
    ['"+=" appends to a list', "disk = ['a']\ndisk += ['b', 'c']", { disk: ['a', 'b', 'c'] }],
    ['"+=" concatenates strings', 'extra = "a "\nextra += "b"', { extra: 'a b' }],
    ['"+=" with nothing before is "="', 'extra += "x"', { extra: 'x' }],
    ['non-ASCII in strings', 'extra = "caf\u00e9"', { extra: 'caf\u00e9' }],
  ])('%s', (_what, text, expected) => {
    expect(settings(text)).toEqual(expected);
  });

  test.each([
    ['\\"', '"'],
    ["\\'", "'"],
    ['\\\\', '\\'],
    ['\\a', '\x07'],
    ['\\b', '\b'],
    ['\\f', '\f'],
    ['\\n', '\n'],
    ['\\r', '\r'],
    ['\\t', '\t'],
    ['\\v', '\v'],
    ['\\x41', 'A'],
    ['\\x4a', 'J'],
    ['\\101', 'A'],
    ['\\7', '\x07'],
    ['\\1011', 'A1'],
  ])('escape %s', (escape, expected) => {
    expect(settings(`s = "${escape}"`)).toEqual({ s: expected });
  });

  it('keeps settings in order of first appearance', () => {
    const f = parseXlCfg('b = 1\na = 2\nb = 3\n', 'a.cfg');
    expect([...f.settings.keys()]).toEqual(['b', 'a']);
    expect(f.settings.get('b')!.keyPos).toEqual({ line: 3, column: 1, offset: 12 });
  });

  it('records the position of every key and value', () => {
    const f = parseXlCfg('name = "web"\n  disk = [ \'a\',\n\t"b" ]\nvcpus=0x2', 'a.cfg');
    expect(f.settings.get('name')).toMatchObject({ keyPos: { line: 1, column: 1, offset: 0 }, op: '=', value: { pos: { line: 1, column: 8, offset: 7 } } });
    const disk = f.settings.get('disk')!;
    expect(disk.keyPos).toEqual({ line: 2, column: 3, offset: 15 });
    expect(disk.value.pos).toEqual({ line: 2, column: 10, offset: 22 });
    if (disk.value.kind !== 'list') throw new Error('not a list');
    expect(disk.value.items.map((i) => i.pos)).toEqual([
      { line: 2, column: 12, offset: 24 },
      { line: 3, column: 2, offset: 30 },
    ]);
    expect(f.settings.get('vcpus')!.value).toEqual({ kind: 'number', value: 2, text: '0x2', pos: { line: 4, column: 7, offset: 42 } });
  });

  it('maps characters of a string without escapes to their columns', () => {
    const v = parseXlCfg("disk = ['file:a,xvda']", 'a.cfg').settings.get('disk')!.value;
    if (v.kind !== 'list' || v.items[0]!.kind !== 'string') throw new Error('shape');
    expect(positionInString(v.items[0], 7)).toEqual({ line: 1, column: 17, offset: 16 });
    const escaped = parseXlCfg('s = "a\\tb"', 'a.cfg').settings.get('s')!.value;
    if (escaped.kind !== 'string') throw new Error('shape');
    expect(escaped.exact).toBe(false);
    expect(positionInString(escaped, 2)).toEqual(escaped.pos);
  });

  it('warns when a key is set twice with "="', () => {
    const f = parseXlCfg('memory = 1\nmemory = 2\n', 'a.cfg');
    expect(f.warnings.map(formatDiagnostic)).toEqual([
      'a.cfg:2:1: warning: "memory" is set again; this value replaces the one on line 1, as in xl\n    memory = 2\n    ^',
    ]);
  });
});

describe('xl.cfg syntax errors', () => {
  test.each([
    // [what, text, line, column, message]
    ['value missing', 'memory = ]', 1, 10, 'expected a string, number or list after "=", found "]"'],
    ['value on the next line', 'memory =\n512', 1, 9, 'expected a string, number or list after "=", found end of line'],
    ['value missing at end of file', 'memory =', 1, 9, 'expected a string, number or list after "=", found end of file'],
    ['value is a comment', 'memory = # 512', 1, 10, 'expected a string, number or list after "=", found a comment'],
    ['unquoted string', 'type = hvm', 1, 8, 'expected a string, number or list after "=", found "hvm" (strings need quotes: "hvm")'],
    ['unquoted uppercase word', 'type = HVM', 1, 8, 'expected a string, number or list after "=", found "HVM" (strings need quotes: "HVM")'],
    ['negative number', 'x = -1', 1, 5, 'expected a string, number or list after "=", found "-" (xl.cfg numbers have no sign)'],
    ['Python call', 'x = f(1)', 1, 5, 'expected a string, number or list after "=", found "f" (strings need quotes: "f")'],
    ['Python dict', 'x = {}', 1, 5, 'expected a string, number or list after "=", found "{" (xl.cfg is not Python: values are "strings", numbers and [lists])'],
    ['"=" missing', 'memory 512', 1, 8, 'expected "=" or "+=" after "memory", found the number 512'],
    ['key alone', 'memory\nvcpus = 1', 1, 7, 'expected "=" or "+=" after "memory", found end of line'],
    ['"=" before the key', '= 5', 1, 1, 'expected a setting name (KEY = VALUE), found "="'],
    ['stray value', '"abc"', 1, 1, 'expected a setting name (KEY = VALUE), found the string "abc"'],
    ['uppercase key', 'Name = "a"', 1, 1, 'invalid setting name "Name": names are lowercase letters, digits and "_", starting with a letter'],
    ['key starting with _', '_x = 1', 1, 1, 'invalid setting name "_x": names are lowercase letters, digits and "_", starting with a letter'],
    ['key with a dash', 'on-crash = "x"', 1, 3, 'expected "=" or "+=" after "on", found "-" (setting names use "_", not "-")'],
    ['two settings on a line', 'a = 1 b = 2', 1, 7, 'expected a newline or ";" after the value of "a", found "b"'],
    ['arithmetic', 'memory = 512 * 2', 1, 14, 'expected a newline or ";" after the value of "memory", found "*" (xl.cfg is not Python: values are "strings", numbers and [lists])'],
    ['two strings', 'a = "x" "y"', 1, 9, 'expected a newline or ";" after the value of "a", found the string "y"'],
    ['unclosed list at end of file', 'disk = [\n  "a",\n', 3, 1, 'expected a value or "]" after ",", found end of file (the list opened at 1:8 is not closed)'],
    ['unclosed list after an item', 'x = [1, 2', 1, 10, 'expected "," or "]" after a list item, found end of file (the list opened at 1:5 is not closed)'],
    ['missing comma', 'x = [1 2]', 1, 8, 'expected "," or "]" after a list item, found the number 2'],
    ['double comma', 'x = [1,,2]', 1, 8, 'expected a value or "]" after ",", found ","'],
    ['leading comma', 'x = [,1]', 1, 6, 'expected a value or "]" after "[", found ","'],
    ['";" inside a list', 'x = [1; 2]', 1, 7, 'expected "," or "]" after a list item, found ";"'],
    ['closing bracket alone', ']', 1, 1, 'expected a setting name (KEY = VALUE), found "]"'],
    ['unterminated string', 'name = "web\nmemory = 1', 1, 8, 'unterminated string: expected a closing " before the end of the line'],
    ['unterminated string at end of file', "name = 'web", 1, 8, "unterminated string: expected a closing ' before the end of the file"],
    ['backslash at end of line', 'name = "web\\\n"', 1, 8, 'unterminated string: expected a closing " before the end of the line'],
    ['mismatched quotes', 'name = "web\'', 1, 8, 'unterminated string: expected a closing " before the end of the file'],
    ['unknown escape', 'a = "x\\qy"', 1, 7, 'invalid escape "\\q": expected one of \\\\ \\" \\\' \\a \\b \\f \\n \\r \\t \\v \\xHH \\NNN'],
    ['short hex escape', 'a = "\\x4"', 1, 6, 'invalid escape: expected two hex digits after "\\x"'],
    ['octal escape over 255', 'a = "\\777"', 1, 6, 'invalid escape "\\777": octal escapes go up to \\377'],
    ['NUL escape', 'a = "\\0"', 1, 6, 'a string cannot contain a NUL character (xl would cut the string there)'],
    ['uppercase hex', 'a = 0xFF', 1, 5, 'invalid number "0xFF": hex numbers are written with a lowercase "0x" and lowercase digits, as xl reads them'],
    ['uppercase 0X', 'a = 0X1f', 1, 5, 'invalid number "0X1f": hex numbers are written with a lowercase "0x" and lowercase digits, as xl reads them'],
    ['bad octal', 'a = 09', 1, 5, 'invalid number "09": a leading 0 makes a number octal, and 8 and 9 are not octal digits'],
    ['fraction', 'a = 1.5', 1, 5, 'invalid number "1.5": numbers are whole: decimal, octal with a leading 0, or hex with 0x'],
    ['unit suffix', 'memory = 512M', 1, 10, 'invalid number "512M": numbers are whole: decimal, octal with a leading 0, or hex with 0x'],
    ['huge number', 'a = 99999999999999999999', 1, 5, 'number "99999999999999999999" is too large (at most 9007199254740991)'],
    ['"+=" with a number', 'memory = 1\nmemory += 2', 2, 11, '"+=" cannot be used with numbers (xl refuses them); write the whole value with "="'],
    ['"+=" list to string', 'a = "x"\na += [1]', 2, 6, '"+=" cannot add a list to a string (set at 1:5)'],
    ['"+=" string to list', 'a = [1]\na += "x"', 2, 6, '"+=" cannot add a string to a list (set at 1:5)'],
    ['lone "+"', 'a + 1', 1, 3, 'expected "=" or "+=" after "a", found "+"'],
    ['addition', 'a = 1 + 1', 1, 7, 'expected a newline or ";" after the value of "a", found "+" (there is no arithmetic in xl.cfg)'],
    ['error after tabs', '\tmemory\t=\t]', 1, 11, 'expected a string, number or list after "=", found "]"'],
    ['error on a later line after CRLF', 'a = 1\r\nb = ]\r\n', 2, 5, 'expected a string, number or list after "=", found "]"'],
  ])('%s', (_what, text, line, column, message) => {
    const e = syntaxError(text);
    expect({ line: e.line, column: e.column, message: e.diagnostic.message }).toEqual({ line, column, message });
    expect(e.message.split('\n')[0]).toBe(`a.cfg:${line}:${column}: ${message}`);
  });

  it('prints the offending line with a caret under the column', () => {
    expect(syntaxError('name = "a"\nmemory = ]\n').message).toBe(
      'a.cfg:2:10: expected a string, number or list after "=", found "]"\n' + '    memory = ]\n' + '             ^',
    );
  });

  it('lines the caret up under tabs', () => {
    expect(syntaxError('\tmemory\t= ]').message.split('\n').slice(1)).toEqual(['    \tmemory\t= ]', '    \t      \t  ^']);
  });

  it('puts the caret after the end of the line for "end of line"', () => {
    expect(syntaxError('a =').message.split('\n').slice(1)).toEqual(['    a =', '       ^']);
  });

  it('is an Error with the file name', () => {
    const e = syntaxError('x');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('XlCfgError');
    expect(e.file).toBe('a.cfg');
  });
});
