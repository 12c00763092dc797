/* The person's own side of a web chat, kept in this browser (see Remembered). */
"use strict";

/* What this browser said in a session, and which buttons it pressed: the server keeps only the
   bot's side, so a reload would otherwise lose the person's own bubbles. `anchor` is the first
   bot message's id and time: a fresh demo database reuses the session ids, not the history. */
class Remembered {
  constructor(session) {
    this.key = `gridbot-said-${session}`;
    try {
      Object.assign(this, { anchor: null, mine: [], chosen: [] },
                    JSON.parse(localStorage.getItem(this.key) || "{}"));
    } catch (error) {
      Object.assign(this, { anchor: null, mine: [], chosen: [] });
    }
  }

  /* The history's first message: a different one means another conversation, forget ours. */
  check(message) {
    const anchor = message ? `${message.id}@${message.at}` : null;
    if (this.anchor !== anchor) Object.assign(this, { anchor, mine: [], chosen: [] });
    this.save();
  }

  /* A conversation that began empty: its first bot message becomes the anchor. */
  adopt(message) {
    if (this.anchor === null && message) {
      this.anchor = `${message.id}@${message.at}`;
      this.save();
    }
  }

  said(after, text) {
    this.mine = [...this.mine, { after, text }].slice(-200);
    this.save();
  }

  pressed(id) {
    this.chosen = [...this.chosen, id].slice(-500);
    this.save();
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify(
        { anchor: this.anchor, mine: this.mine, chosen: this.chosen }));
    } catch (error) { /* private mode or full: the bubbles are not kept, nothing else breaks */ }
  }
}

window.Remembered = Remembered;
