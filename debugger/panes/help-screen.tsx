// The `?` screen: every key, from the key table (keymap.ts).
import React from 'react';
import { Box, Text } from 'ink';
import { KEY_HELP } from '../keymap.ts';
import { cell } from '../text.ts';

export function HelpScreen({ width, height }: { width: number; height: number }): React.JSX.Element {
  const rows = KEY_HELP.reduce((n, g) => n + 1 + g.keys.length, 0);
  // blank lines between groups only when there is room for them (80x24 has exactly enough)
  const spaced = height >= rows + KEY_HELP.length;
  const lines: Array<{ text: string; head?: boolean }> = [];
  for (const g of KEY_HELP) {
    if (spaced) lines.push({ text: '' });
    lines.push({ text: g.group, head: true });
    for (const k of g.keys) lines.push({ text: `  ${cell(k.keys, 16)} ${k.what}` });
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.slice(0, height).map((l, i) => (
        <Text key={i} wrap="truncate" bold={l.head} color={l.head ? 'cyan' : undefined}>
          {cell(l.text, width)}
        </Text>
      ))}
    </Box>
  );
}
