// A client of PM2's daemon that stays connected, so a timed request pays no Node start-up and no
// connect: what a restart costs inside PM2, as an HTTP request measures it inside sitevisor.
// Usage: PM2_HOME=... node pm2-api.js PATH_OF_THE_PM2_PACKAGE; then lines "restart NAME" on stdin,
// each answered by "ok" or "error MESSAGE" on stdout.
const pm2 = require(process.argv[2]);
const readline = require('readline');

pm2.connect((error) => {
  if (error) {
    process.stdout.write(`error ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write('connected\n');
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const [operation, name] = line.trim().split(/\s+/);
    if (operation !== 'restart') {
      process.stdout.write(`error unknown operation ${operation}\n`);
      return;
    }
    pm2.restart(name, (failure) => process.stdout.write(failure ? `error ${failure.message}\n` : 'ok\n'));
  }).on('close', () => {
    pm2.disconnect();
  });
});
