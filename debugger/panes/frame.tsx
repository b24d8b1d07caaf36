// A pane: a title row (highlighted when focused) and exactly height-1 content rows, each cut
// to the pane's width, so the layout never reflows whatever the content is.
import React from 'react';
import { Box, Text } from 'ink';
import { cell } from '../text.ts';

/** A run of text with one style. */
export interface Seg {
  text: string;
  color?: string;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

export type Row = Seg[];

/** Cuts segments to `width` columns and pads the last one, keeping styles. */
export function clipRow(row: Row, width: number): Row {
  const out: Row = [];
  let left = width;
  for (const s of row) {
    if (left <= 0) break;
    const text = s.text.length > left ? cell(s.text, left) : s.text;
    out.push({ ...s, text });
    left -= text.length;
  }
  if (left > 0) out.push({ text: ' '.repeat(left) });
  return out;
}

export function RowView({ row, width }: { row: Row; width: number }): React.JSX.Element {
  return (
    <Text wrap="truncate">
      {clipRow(row, width).map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} inverse={s.inverse} dimColor={s.dim}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

export interface FrameProps {
  number?: number;
  title: string;
  /** Right-aligned part of the title row (a mode, a filter). */
  info?: string;
  focused: boolean;
  width: number;
  height: number;
  rows: Row[];
  /** Draw a separator in the first column (panes with a neighbour on their left). */
  sep?: boolean;
}

export function PaneFrame({ number, title, info, focused, width, height, rows, sep }: FrameProps): React.JSX.Element {
  if (sep) {
    return (
      <Box flexDirection="row" width={width} height={height}>
        <Box flexDirection="column" width={1} height={height}>
          {Array.from({ length: height }, (_, i) => (
            <Text key={i} color="gray">
              │
            </Text>
          ))}
        </Box>
        <PaneFrame number={number} title={title} info={info} focused={focused} width={width - 1} height={height} rows={rows} />
      </Box>
    );
  }
  const head = `${number !== undefined ? `${number} ` : ''}${title}`;
  const right = info ? ` ${info} ` : '';
  const titleText = cell(` ${head} `, Math.max(0, width - right.length)) + right;
  const body = rows.slice(0, Math.max(0, height - 1));
  while (body.length < height - 1) body.push([]);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" inverse={focused} bold={focused} color={focused ? undefined : 'cyan'}>
        {cell(titleText, width)}
      </Text>
      {body.map((r, i) => (
        <RowView key={i} row={r} width={width} />
      ))}
    </Box>
  );
}
