// Every key of the debugger with its help text: the `?` screen is generated from this table,
// so what the help says and what the keys do come from one place.

export interface KeyHelp {
  keys: string;
  what: string;
}

export const KEY_HELP: ReadonlyArray<{ group: string; keys: KeyHelp[] }> = [
  {
    group: 'Time  (any key closes this help)',
    keys: [
      { keys: 'i / I', what: 'step / reverse-step one instruction' },
      { keys: 'e / E', what: 'next / previous event' },
      { keys: 'c / C', what: 'continue / reverse-continue to a breakpoint or watchpoint' },
      { keys: 'g / G', what: 'start / end of the recording' },
      { keys: ':', what: 'go to #SEQ, @ICOUNT or an address (0x…, symbol, register)' },
      { keys: 'Esc', what: 'cancel a long seek or continue (progress shows below)' },
    ],
  },
  {
    group: 'Stops and marks',
    keys: [
      { keys: 'b', what: 'toggle a breakpoint at the disassembly cursor (else at pc)' },
      { keys: 'w', what: 'watch writes to the address under the cursor' },
      { keys: "m x / ' x", what: 'set bookmark x (a letter) / go back to it' },
      { keys: ': b / w / d', what: 'b ADDR breakpoint · w ADDR [LEN] [r|w|rw] · d [N] delete' },
    ],
  },
  {
    group: 'Views',
    keys: [
      { keys: '1-6 / Tab', what: 'focus disasm, regs, memory, events, console, domains' },
      { keys: '↑↓ jk PgUp PgDn', what: 'move the cursor or scroll the focused pane (←→ memory)' },
      { keys: 'Enter', what: 'event: go there · register: memory follows it · vCPU: show' },
      { keys: '{ / }', what: 'previous / next vCPU or domain' },
      { keys: '/  n  N', what: 'search events for text; next / previous match' },
      { keys: 'f', what: 'filter events by kinds and dN, e.g. "mmio,console d1"' },
      { keys: ': mem X', what: 'memory follows an address or a register' },
      { keys: '?  q', what: 'this help · quit (Ctrl-C too)' },
    ],
  },
];
