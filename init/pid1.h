/* `sandboxd`: PID 1, or the same supervisor as a child subreaper. */
#ifndef SBX_PID1_H
#define SBX_PID1_H

int pid1_main(int argc, char **argv);

#endif
