// Preloaded into a benchmarked child process (`node -r ./bench/support/report-rss.cjs …`):
// on exit, prints the process's peak resident memory, which a parent cannot read otherwise.
process.on('exit', () => {
  process.stderr.write(`\n@@maxrss_kb ${process.resourceUsage().maxRSS}\n`);
});
