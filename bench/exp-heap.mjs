import v8 from 'node:v8';
if (process.argv[2] === 'express') await import('express');
await import('@tuskit/core'); await import('@tuskit/store-fs');
const show = (l) => console.log(l, v8.getHeapSpaceStatistics().filter(s => /new_space|old_space/.test(s.space_name)).map(s => `${s.space_name} size=${(s.space_size/1048576).toFixed(1)} used=${(s.space_used_size/1048576).toFixed(1)}`).join(' | '));
show(process.argv[2]);
