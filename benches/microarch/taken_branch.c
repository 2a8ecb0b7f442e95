// Times the loop of taken_branch.S with each variant of the branch handler (ns per iteration).
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
extern void run_O(void*, uint64_t*);
extern char O_add[], O_br[], B_br[], K_br[], C_br[], D_br[];
typedef struct { uint16_t tag, a, b, c; int32_t off; uint32_t pad; void* h; } Op;
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  static Op code[4] __attribute__((aligned(64)));
  static uint64_t regs[16] __attribute__((aligned(64)));
  const char* names[]={"O","B","K","C","D"}; void* brs[]={O_br,B_br,K_br,C_br,D_br};
  for(int rep=0;rep<3;rep++) for(int v=0;v<5;v++){
    memset(regs,0,sizeof regs); regs[0]=100000000;
    code[0]=(Op){0,3,3,1,0,0,O_add};
    int32_t off = v==1 ? -24 : -1;
    code[1]=(Op){0,1,1,0,off,0,brs[v]};
    double t=now(); run_O(code,regs); t=now()-t;
    printf("%s %.3f ns/iter (s=%lu)\n",names[v],t*1e9/1e8,regs[3]);
  }
}
