// express-pouchdb over HTTPS (node's https, a self-signed certificate made by
// openssl), LevelDB files in the given directory: the PouchDB side of
// scripts/load-bench.sh. Usage: node pouch-server.js DIR PORT KEY CERT
'use strict';
const fs = require('fs');
const https = require('https');
const path = require('path');
const express = require('express');
const PouchDB = require('pouchdb');

const [dir, port, keyFile, certFile] = process.argv.slice(2);
const Pouch = PouchDB.defaults({ prefix: path.join(dir, path.sep) });
const app = express();
app.use('/', require('express-pouchdb')(Pouch, {
  mode: 'minimumForPouchDB',
  logPath: path.join(dir, 'log.txt'),
  configPath: path.join(dir, 'config.json'),
}));
https
  .createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, app)
  .listen(Number(port), '127.0.0.1', () => console.log('listening'));
