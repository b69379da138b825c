// Runs on whatever `node` is first on PATH, so it must stay plain JavaScript that old Nodes parse.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `Vigil needs Node.js 22.18 or newer (it runs TypeScript directly); this is Node ${process.versions.node}.\n` +
      'Install a current Node 22 LTS (https://nodejs.org, or `nvm install 22`), or without root:\n' +
      '  npm install --prefix ~/.node22 node@22 && export PATH=~/.node22/node_modules/node/bin:$PATH',
  );
  process.exit(1);
}
