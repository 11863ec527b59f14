// node/internal/terminal.js — the run's terminal as the launcher describes
// it (the host's side of the relay; the guest never holds it): whether the
// host's stdout and stderr are terminals, the window's size and Node's
// colour depth of the host's environment. Set once per run by the
// bootstrap; read by tty (isatty, WriteStream.getColorDepth).
'use strict';

const terminal = { stdout: false, stderr: false, columns: 0, rows: 0, colorDepth: 0 };

function setTerminal(facts) {
  terminal.stdout = facts.stdout === true;
  terminal.stderr = facts.stderr === true;
  terminal.columns = facts.columns;
  terminal.rows = facts.rows;
  terminal.colorDepth = facts.colorDepth;
}

module.exports = { terminal, setTerminal };
