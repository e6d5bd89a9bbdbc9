public enum BPEPlaceholder {}
