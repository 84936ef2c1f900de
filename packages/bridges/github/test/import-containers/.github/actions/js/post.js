console.log(`js post: node ${process.execPath} state seen=${process.env.STATE_seen}`);
