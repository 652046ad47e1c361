/**
 * Messages that ask the user something (a notification with buttons, a modal confirmation),
 * shown through one object so that every question the extension asks is also on record:
 * the VS Code tests read what was shown — a gate's decision and its reasons, the names in a
 * "roll back from → to" confirmation — and answer it, which they cannot do with VS Code's own
 * dialogs (the API gives no access to a notification's text, and a modal dialog blocks the
 * window until a person clicks).
 */
import * as vscode from 'vscode';

export type PromptSeverity = 'info' | 'warning' | 'error';

/** One message as it was shown. */
export interface PromptRecord {
  severity: PromptSeverity;
  message: string;
  /** A modal dialog's second paragraph (the reasons, the consequences). */
  detail?: string;
  modal: boolean;
  /** The buttons, in order. */
  items: string[];
  /** The button chosen, once answered (undefined: dismissed, or not answered yet). */
  answer?: string;
  /** When it was shown (ms since epoch). */
  at: number;
}

/**
 * Answers prompts instead of the user (automation). Return a button's label, or undefined to
 * dismiss. Modal prompts then never reach the screen (nothing could close them); others are
 * still shown as notifications, so screenshots show what a user would see.
 */
export type PromptResponder = (prompt: PromptRecord) => string | undefined;

/** How many shown prompts are kept on record. */
const KEEP = 100;

export class Prompts {
  private readonly records: PromptRecord[] = [];
  private responder: PromptResponder | undefined;

  /** The prompts shown so far, oldest first (at most the last 100). */
  get shown(): readonly PromptRecord[] {
    return this.records;
  }

  /** Lets automation answer from now on (undefined: the user answers again). */
  setResponder(responder: PromptResponder | undefined): void {
    this.responder = responder;
  }

  /**
   * Shows `message` with `items` as buttons.
   * @returns the button chosen; undefined when dismissed (a modal's Cancel, a toast closed).
   */
  async show(severity: PromptSeverity, message: string, options: { modal?: boolean; detail?: string }, ...items: string[]): Promise<string | undefined> {
    const record: PromptRecord = { severity, message, modal: options.modal === true, items, at: Date.now(), ...(options.detail ? { detail: options.detail } : {}) };
    this.records.push(record);
    if (this.records.length > KEEP) this.records.splice(0, this.records.length - KEEP);
    const responder = this.responder;
    if (responder) {
      if (!record.modal) void showMessage(severity, message, { detail: options.detail }, items);
      const answer = responder(record);
      record.answer = answer !== undefined && items.includes(answer) ? answer : undefined;
      return record.answer;
    }
    const answer = await showMessage(severity, message, { modal: record.modal, detail: options.detail }, items);
    record.answer = answer;
    return answer;
  }

  /** A notification that does not wait for an answer; `onChoice` runs when a button is clicked. */
  notify(severity: PromptSeverity, message: string, items: string[], onChoice?: (choice: string) => void): void {
    void this.show(severity, message, {}, ...items).then((choice) => {
      if (choice) onChoice?.(choice);
    });
  }
}

function showMessage(severity: PromptSeverity, message: string, options: vscode.MessageOptions, items: string[]): Thenable<string | undefined> {
  const opts: vscode.MessageOptions = { ...(options.modal ? { modal: true } : {}), ...(options.detail ? { detail: options.detail } : {}) };
  if (severity === 'error') return vscode.window.showErrorMessage(message, opts, ...items);
  if (severity === 'warning') return vscode.window.showWarningMessage(message, opts, ...items);
  return vscode.window.showInformationMessage(message, opts, ...items);
}
