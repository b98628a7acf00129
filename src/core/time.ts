// C's ctime(3) without the newline: "Tue Nov 24 17:38:46 2026", local time, day padded with a space.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export function ctime(d: Date = new Date()): string {
  const day = d.getDate();
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`
  );
}

/** ctime() of the current second, computed at most once per second (servers answer thousands a second). */
export class CtimeCache {
  private second = -1;
  private text = '';
  get(nowMs: number = Date.now()): string {
    const s = Math.floor(nowMs / 1000);
    if (s !== this.second) {
      this.second = s;
      this.text = ctime(new Date(s * 1000));
    }
    return this.text;
  }
}
