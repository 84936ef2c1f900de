console.log(`js post state=${process.env.STATE_phase}`);
