// The app reads its rules file as `nomad-patch watch` does: one place for both.
export { reviewLimits, targetSettings } from "../service/repo-settings.js";
